"""The right of access (GDPR article 15): a data protection officer exports
everything the organisation holds about a young person, as a PDF to read and a JSON
for machines, in the language chosen."""
