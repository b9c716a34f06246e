"""What runs measured, as files and tables: ``metrics.json`` of a test,
the paper-style results table, the summary of repeated trials."""
from .metrics_file import (METRICS_FILE, SELECTION_ON_HELDOUT,
                           SELECTION_ON_TEST, evaluation_protocol,
                           model_selection, write_metrics_file)
from .results_table import (MISSING, PAPER_GROUPS, ColumnGroup, Result,
                            format_csv, format_markdown, headline_groups,
                            result_from_record, table_rows)
from .trial_summary import (SUMMARY_FILE, SUMMARY_TABLE_FILE, mean_and_std,
                            run_name, summary_markdown, trial_summary)

__all__ = [
    'METRICS_FILE', 'SELECTION_ON_HELDOUT', 'SELECTION_ON_TEST',
    'evaluation_protocol', 'model_selection', 'write_metrics_file', 'MISSING',
    'PAPER_GROUPS', 'ColumnGroup', 'Result', 'format_csv', 'format_markdown',
    'headline_groups', 'result_from_record', 'table_rows', 'SUMMARY_FILE',
    'SUMMARY_TABLE_FILE', 'mean_and_std', 'run_name', 'summary_markdown',
    'trial_summary'
]
