"""Development tools that are not part of any process the council runs: they ship in no image."""
