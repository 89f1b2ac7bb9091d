"""Dashboard figures: queries (DB → plain numbers), compute (pure), panels (one function per panel)."""
