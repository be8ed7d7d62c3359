"""The REST compatibility shim: each legacy API's documented paths, answered by running a
persisted GraphQL operation on Tally's schema with the caller's principal.

Layout:
  operations/<api>/<Name>.graphql   the persisted operations (the allow-list)
  persisted.py                      loads and lists them
  runner.py                         runs one with the caller's principal; maps GraphQL
                                    error codes to HTTP statuses
  auth.py                           per-API credential schemes and 401s in its dialect
  apis/<api>.py                     one router per legacy API: parameters -> variables,
                                    result -> the legacy JSON. No SQL anywhere here.
"""
