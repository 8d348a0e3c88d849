"""The Members tab: roster model, form, knowledge map, reach and CSV import."""
