"""Credit policies per risk class: when holds are placed and released automatically."""
