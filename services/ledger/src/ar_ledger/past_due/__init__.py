"""The past-due sweep: tells the platform when accounts become overdue or age into a new bucket."""
