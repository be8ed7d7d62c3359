"""AISquare publications (AI Studios): `Publication` and `Experience` nodes, the
`publication` / `publications` root fields, owner metrics and public impact."""
