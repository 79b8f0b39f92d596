"""How the council's internal services prove who they are to the back office, and for which conversation."""
