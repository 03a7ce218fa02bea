"""Credit reviews: financial data in, an explainable score and a recommended limit out."""
