#include <fmt/format.h>

#include <cstdio>
#include <exception>

#include "cli/commands.hpp"
#include "scenario/config_error.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "tcpharness: TCP and HTTP/1.1 load generation with exact latency histograms.\n"
      "Exit codes: 0 success; 1 the run finished but counted errors (compare: a regression "
      "beyond --fail-on); 2 usage, configuration or unreadable report; 130 interrupted (a "
      "partial report is still written)."};
  app.require_subcommand(1);
  th::RunArguments run_arguments;
  th::RunArguments validate_arguments;
  th::ServeArguments serve_arguments;
  th::CompareArguments compare_arguments;
  th::TuneArguments tune_arguments;
  th::MergeArguments merge_arguments;
  th::ConvertArguments convert_arguments;
  th::PlotArguments plot_arguments;
  th::add_run_command(app, run_arguments);
  th::add_serve_command(app, serve_arguments);
  th::add_validate_command(app, validate_arguments);
  th::add_compare_command(app, compare_arguments);
  th::add_tune_command(app, tune_arguments);
  th::add_merge_command(app, merge_arguments);
  th::add_convert_command(app, convert_arguments);
  th::add_plot_command(app, plot_arguments);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? th::kExitOk : th::kExitConfigError;
  }
  try {
    if (app.got_subcommand("run")) return th::run_command(run_arguments);
    if (app.got_subcommand("serve")) return th::serve_command(serve_arguments);
    if (app.got_subcommand("validate")) return th::validate_command(validate_arguments);
    if (app.got_subcommand("compare")) return th::compare_command(compare_arguments);
    if (app.got_subcommand("tune")) return th::tune_command(tune_arguments);
    if (app.got_subcommand("merge")) return th::merge_command(merge_arguments);
    if (app.got_subcommand("convert")) return th::convert_command(convert_arguments);
    if (app.got_subcommand("plot")) return th::plot_command(plot_arguments);
  } catch (const th::ConfigError& error) {
    fmt::print(stderr, "tcpharness: {}\n", error.what());
    return th::kExitConfigError;
  } catch (const std::exception& error) {
    fmt::print(stderr, "tcpharness: internal error: {}\n", error.what());
    return th::kExitInternalError;
  }
  return th::kExitConfigError;
}
