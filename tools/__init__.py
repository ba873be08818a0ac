"""Developer tools that read the catalog or the assembly; none is imported by the app."""
