"""Helpers of the command-line tools (``tools/*.py``): arguments, config
option checks, the runner they build, CPU distributed set-up and teardown,
the resume finder, one-line user errors, the runs of ``run_trials.py`` and
the results files and tables."""
from .config_options import (ConfigOptionError, check_cfg_option_keys,
                             merge_cfg_options)
from .cpu_distributed import setup_cpu_distributed
from .metrics_file import (METRICS_FILE, evaluation_protocol,
                           write_metrics_file)
from .mixed_precision import amp_optim_wrapper, gpu_supports_bfloat16
from .num_classes import NumClassesError, set_num_classes
from .process_group_teardown import destroying_process_group
from .resume_checkpoint import find_resume_checkpoint, is_complete_checkpoint
from .results_table import (MISSING, PAPER_GROUPS, ColumnGroup, Result,
                            format_csv, format_markdown, headline_groups,
                            result_from_record, table_rows)
from .tool_config import (add_runner_arguments, build_runner,
                          build_sized_runner,
                          check_amp_device, load_config, load_runner_config)
from .tool_errors import USER_ERRORS, exit_on_user_error
from .trial_runs import (TrialPlanError, TrialRun, parse_cfg_options,
                         plan_trial_runs, run_name, tool_command)
from .trial_summary import (SUMMARY_FILE, SUMMARY_TABLE_FILE, mean_and_std,
                            summary_markdown, trial_summary)

__all__ = [
    'ConfigOptionError', 'check_cfg_option_keys', 'merge_cfg_options',
    'setup_cpu_distributed', 'destroying_process_group',
    'find_resume_checkpoint', 'is_complete_checkpoint',
    'add_runner_arguments', 'build_runner', 'build_sized_runner',
    'check_amp_device', 'load_config',
    'load_runner_config', 'amp_optim_wrapper', 'gpu_supports_bfloat16',
    'NumClassesError', 'set_num_classes',
    'USER_ERRORS', 'exit_on_user_error', 'METRICS_FILE',
    'evaluation_protocol', 'write_metrics_file', 'MISSING', 'PAPER_GROUPS',
    'ColumnGroup', 'Result', 'format_csv', 'format_markdown',
    'headline_groups', 'result_from_record', 'table_rows', 'TrialPlanError',
    'TrialRun', 'parse_cfg_options', 'plan_trial_runs', 'run_name',
    'tool_command', 'SUMMARY_FILE', 'SUMMARY_TABLE_FILE', 'mean_and_std',
    'summary_markdown', 'trial_summary'
]
