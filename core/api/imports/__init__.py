"""GraphQL of roster imports (名册导入任务) and their comparisons."""
