"""drvbench analysis: result loading, statistics, run comparison.

Modules:
  report.results  load drvbench result files and Google Benchmark JSON into one model
  report.stats    two-sample statistics (ratio of medians + bootstrap CI, Mann-Whitney U,
                  Welch/Fieller interval for the relative mean difference, verdicts)
  report.analysis analyze_run (within one run) and compare_runs (two runs)
  report.compare  CLI: regression gate between two result files
  report.analyze  CLI: every plugin vs its baseline within one result file
  report.model   the report's view: roles per compiler, comparisons, merged files, history
  report.charts  chart data and matplotlib rendering (SVG + PNG + CSV)
  report.report  CLI: HTML page, summary.md, results.csv, charts

Runs on Debian's /usr/bin/python3 with numpy and scipy (matplotlib for the report).
"""
