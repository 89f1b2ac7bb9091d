"""One module per dashboard, each exporting PANELS."""
