"""Verbs that own a database transaction; they take the scope as arguments and never read the request."""
