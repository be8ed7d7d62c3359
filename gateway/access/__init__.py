"""Authorization, in one place: one module per domain, each answering "which of these
objects may this principal see (and in which role)?" for a whole batch at once.

The rules (see README "Access rules"):
  * an object of another org is never visible: it is "not found";
  * publications: owner / co-creator metrics are for the owner and co-creators only;
    public impact and publication details are visible to any authenticated org member;
  * missions (AMP) and the agent platform: any authenticated member of the org;
    per-user agent history, performance and music summary: that user or an org admin;
  * learners (ibl.ai): org-wide and mentor-scoped analytics need the org admin role;
    a learner may read their own data (self-access);
  * workspaces (Athena): metrics for the workspace owner; members see the workspace.
"""
