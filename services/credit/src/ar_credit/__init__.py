"""Credit service: credit profiles, exposure, policies, holds and the order credit check."""
