"""What leaves the tool as files: calendar invitations and feeds (``calendar``), the meeting
and plan documents (``documents``), spreadsheets. Exports read the committee's records and
the domain's rules; nothing here writes."""
