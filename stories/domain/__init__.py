"""Business rules as plain functions, called by views, tasks and commands alike."""
