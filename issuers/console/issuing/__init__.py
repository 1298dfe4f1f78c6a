"""The provider console's issuing sections: issue to one person, cohort uploads and their jobs, keys."""
