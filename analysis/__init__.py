"""Analysis for the steering office: the network's gaps in figures and charts, with no person
identifiable."""
