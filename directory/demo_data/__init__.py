"""Fictional but realistic demo network of Mülheim an der Ruhr (organisations, offers, users)."""
