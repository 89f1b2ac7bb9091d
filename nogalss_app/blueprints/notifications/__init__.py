"""In-app notifications: the "mark read" form of the dashboards' notifications panel, and the JSON API."""
