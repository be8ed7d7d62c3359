"""ibl.ai learner analytics (seed 003): mentors' chat sessions, topics, transcripts, ratings,
LLM cost, the course / program catalog, a learner's own data and the mentors' audit log."""
