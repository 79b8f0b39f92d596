"""Electoral services: properties, polling districts and stations, electors, elections, absent votes."""
