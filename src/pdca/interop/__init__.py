"""Moving a whole install in and out of pdca: backups and restores (`pdca backup`,
`pdca restore`)."""
