"""AISquare publications (AI Studios): repository (SQL), request loaders and the service
that derives the public-impact numbers (completion rate, influence score)."""
