"""Distance travelled and the action plan: services, selectors, forms, views, panels."""
