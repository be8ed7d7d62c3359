"""Durable background jobs: AMP analytics exports (`amp_export`) and ibl.ai data reports
(`iblai_report`), stored in `jobs` (gateway/models/jobs.py) and run by a worker.

Modules:
  params        validation of export / report parameters (actionable InvalidInput)
  service       enqueue / get_job / list_jobs / latest_report, key formats, the
                "small exports complete immediately" rule, run_inline
  worker        Worker (FOR UPDATE SKIP LOCKED, lease + heartbeat, retries, sweep),
                start_background (app lifespan), `tally worker`
  kinds         kinds, file extensions, media types, and each kind's producer by name
  handlers      what the producers share (paging an operation, CSV cells);
                amp_export / iblai_report produce the files via persisted operations in
                gateway/rest/operations/jobs/ (documented columns in each module)

Layering: params, service, files, signing, email and kinds sit below the schema
(resolvers/jobs/ imports them); handlers, amp_export, iblai_report and worker run
GraphQL operations, so they sit above it. `kinds.producer(kind)` is how the service
(small exports run inline) and the worker reach a producer without importing it.
  files         result paths and the tmp-file + os.replace protocol
  signing       download links (plain for AMP, HMAC-presigned for ibl.ai), verify,
                open_result / open_export / open_signed_report
  email         SMTP delivery of export links and the delivery states

For the REST shims (GraphQL does the rest):
  AMP   POST /v1/analytics/export         -> mutation createAnalyticsExport(input)
        GET  /v1/analytics/export/{key}   -> query exportJob(key)
        GET  …/export/{key}/download      -> `await signing.open_export(ctx, key)` ->
                                             DownloadFile(path, filename, media_type)
  ibl.ai POST …/reports/platforms/{org}/new          -> mutation createDataReport(input)
        GET  …/reports/platforms/{org}/?mentor_id=   -> query dataReports(mentorId:)
        GET  …/reports/platforms/{org}/{report_name}?mentor_unique_id=
                                                     -> query dataReport(reportName, mentor)
        GET  …/reports/platforms/{org}/files/{key}?expires=&signature=   (no auth)
             -> `await signing.open_signed_report(request.app.state.db, org, key, expires,
                signature, settings=request.app.state.settings)`
"""
