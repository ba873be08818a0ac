"""Seed data for the catalog's tables: validated, idempotent, fast; DynamoDB Local for local mode."""
