"""The customer's tracking page: `/track/<signed link>`, from the acknowledgement email."""
