"""Side effects of complaints: everything that talks to the outside world."""
