"""The data contract between the steps: validated tables and write plans."""
