"""Erasure on request and legal holds: the data protection officer's and the project
lead's pages (the anonymisation itself is ``youthtrack.services.anonymisation``)."""
