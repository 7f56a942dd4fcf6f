# Test labels: every ctest test has one or more of
#   unit      no socket bound or connected: computation, parsing, files, the CLI on files
#   loopback  opens sockets on 127.0.0.0/8 or ::1 (the embedded server, load runs)
#   root      needs root for network namespaces or shaped links (ip netns, tc, TUN)
#   peers     needs a foreign tool: nginx, python3-jsonschema, python3-matplotlib, python3-yaml,
#             libbenchmark-tools (compare.py) with python3-scipy
#   slow      beside one of the above: takes more than about 5 s
# `ctest -L unit` is the quick set (no network, about 20 s on 2 cores with -j2);
# `ctest -L unit -LE peers` where the peers are not installed; `ctest -LE root` without root.
#
#
#
# Tests are discovered in groups, one gtest filter (suites with exceptions) and one set of labels
# each; a test in no group is still discovered, without labels, which check_coverage.py (run on
# `ctest --show-only=json-v1`) refuses. The labels are set by a script that ctest reads
# after the discovered tests: gtest_discover_tests() flattens its PROPERTIES, so LABELS
# "loopback;slow" there would become LABELS loopback and a property named slow.
set(tcpharness_labels_script "${CMAKE_CURRENT_BINARY_DIR}/tcpharness_test_labels.cmake")
file(WRITE "${tcpharness_labels_script}" "# The labels of each group in tests/CMakeLists.txt\n")
set(tcpharness_grouped_tests "")

# tcpharness_test_group(TARGET GROUP LABELS TESTS <pattern>... [EXCEPT <pattern>...] [RUN_SERIAL]
#                       [TIMEOUT <seconds>])
function(tcpharness_test_group target group labels)
  cmake_parse_arguments(PARSE_ARGV 3 arg "RUN_SERIAL" "TIMEOUT" "TESTS;EXCEPT")
  list(JOIN arg_TESTS ":" filter)
  if(arg_EXCEPT)
    list(JOIN arg_EXCEPT ":" except)
    string(APPEND filter "-${except}")
  endif()
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 120)
  endif()
  set(properties TIMEOUT ${arg_TIMEOUT})
  if(arg_RUN_SERIAL)
    list(APPEND properties RUN_SERIAL TRUE)
  endif()
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 30 TEST_FILTER "${filter}"
                       TEST_LIST tcpharness_${group} PROPERTIES ${properties})
  file(APPEND "${tcpharness_labels_script}" "if(tcpharness_${group})\n"
       "  set_tests_properties(\${tcpharness_${group}} PROPERTIES LABELS \"${labels}\")\n"
       "endif()\n")
  if(target STREQUAL "tcpharness_tests")
    set(tcpharness_grouped_tests ${tcpharness_grouped_tests} ${arg_TESTS} PARENT_SCOPE)
  endif()
endfunction()

# No socket is bound or connected: computation, parsing, files, the CLI refusing bad input.
# (Some create an unbound socket to ask the kernel what it accepts, as `validate` does;
# all pass in a network namespace without any interface up.)
tcpharness_test_group(tcpharness_tests unit "unit"
  TESTS
    Aggregates.* Compare.* CompareCli.* DelayLineWarning.* FailOn.* Histogram.* HttpRequestParser.*
    HttpResponseBytes.* HttpResponseParser.* LimitShares.* LinkAddresses.* LinkScenario.* ThinkTimeScenario.* ClosingScenario.* ConnectionEnds.*
    CapacitySearch.* CapacityKnee.* CapacitySlo.* CapacityProbe.* CapacityCli.* CapacityReport.* CapacityRanking.* HtmlReport.*
    LimitDiagnosis.* TimelineCoverage.* LoadPlanBuilder.* LoopThread.* MannWhitney.* MedianInterval.* OpenFiles.* Override.* Pacer.*
    Page.* PlainRequestHead.* PlainResponseHead.* Recommendation.* ReportReader.* RunCommand.*
    RunWarnings.* ScenarioJson.* ScenarioLoader.* SequentialTuner.* SocketOptionErrors.*
    SocketOptionKeys.* Sweep.* SysctlNeeds.* Target.* TbfParameters.* TcpInfoReport.*
    TimelineSecond.* TunePlan.* TuneRounds.* UrlTarget.* UvHandle.* Cli.* Merge.* MergeLink.*
    TuneCli.* CompareGate.* CompareGateCli.* ReportPath.* OutputOverInput.* SameFile.*
    RunFromReport.* RunFromReportCli.* ClosestMatch.* CliConventions.* OverrideErrors.*
    RunShorthands.* ReportFiles.* Dashboard.* TlsSettings.* BusyPoll.KeysAreCheckedLikeEveryOther
    TimestampSplit.* Timestamps.KeysAreCheckedLikeEveryOther
    Gbench.LabelsGoIntoTheContextBlock
    Gbench.RepetitionsAreFollowedByGoogleBenchmarkAggregates
    PerRequest.LocalAddressOfAnotherFamilyIsAConfigurationError
    Repetitions.BadLabelsAndCountsAreConfigurationErrors ServeListen.BadListenOrLimitIsAUsageError
    ServeListen.BadSocketOptionIsRefusedInTheScenariosWords
    ServerLimits.DefaultsAreTheScenarioDefaults ServerLimits.ScenarioKeysAreReadAndRangeChecked
    SocketOptions.FastOpenIsAQueueLengthOnTheListenerAndASwitchOnTheClient
    SocketOptions.IpTosIsTrafficClassOnIpv6Sockets TcpInfo.ScenarioKeyIsABooleanDefaultingToTrue
  EXCEPT
    LimitDiagnosis.*OnLoopback TimelineCoverage.*OnLoopback
    Cli.RunWritesAReportThatMatchesTheSchema Merge.CommandWritesAReportThatMatchesTheSchema
    MergeLink.MergedReportMatchesTheSchema ReportReader.RefusesWhatIsNotARegularFile
    RunFromReportCli.RunRepeatsTheScenarioStoredInAReport
    TuneCli.ARunThatFailsMidTuneKeepsTheFinishedRoundsInTheReport
    TuneCli.RecommendsNoDelayOverANagleStallAndReportsEveryRepetition
    Dashboard.BothFilesMatchTheActionsFormat)

# Reads /dev/zero up to the 256 MiB cap of read_bounded_file before it refuses it.
tcpharness_test_group(tcpharness_tests unit_slow "unit;slow"
  TESTS
    ReportReader.RefusesWhatIsNotARegularFile)

# No socket; python3-jsonschema checks the output (tests/check_report_schema.py),
# Gbench's compare test needs libbenchmark-tools and python3-scipy, the HTML report's Debian's
# chromium (headless, network off).
tcpharness_test_group(tcpharness_tests unit_peers "unit;peers"
  TESTS
    Gbench.* TuneSession.* HtmlReportInChromium.* Merge.CommandWritesAReportThatMatchesTheSchema
    MergeLink.MergedReportMatchesTheSchema Dashboard.BothFilesMatchTheActionsFormat
  EXCEPT
    Gbench.LabelsGoIntoTheContextBlock Gbench.RepetitionsAreFollowedByGoogleBenchmarkAggregates)

# The embedded server, `tcpharness serve`, or a load run on 127.0.0.1 / ::1.
tcpharness_test_group(tcpharness_tests loopback "loopback"
  TESTS
    Backpressure.* BadResponse.* LimitDiagnosis.*OnLoopback TimelineCoverage.*OnLoopback ConnectionModels/PageLoad.* EchoServer.* EmbeddedServer.* Faults.*
    ForeignServer.* HostileClients.* HttpServer.* KeepAlive.* LoadGenerator.* Nagle.* OpenLoop.*
    PageLoadBound.* Phases.* PerRequest.* Pipelined.* ResolvePhase.* ServeCommand.* ServeListen.*
    Server.* ServerLimits.* SocketOptions.* StreamServer.* TcpInfo.* TcpInfoSample.* Timeline.*
    RunFromReportCli.RunRepeatsTheScenarioStoredInAReport
    DeadTarget.* DeadTargetCli.* Interrupt.* ValidateConnect.*
    ServePort.* UrlRun.* TlsOnLoopback.* EarlyDataOverTls.* BusyPoll.* ServerTime.* Timestamps.* ThinkTime.* Closing.*
  EXCEPT
    BusyPoll.KeysAreCheckedLikeEveryOther Timestamps.KeysAreCheckedLikeEveryOther
    Timestamps.ADelayedClientLoopIsHarnessShareNotNetworkTime
    PerRequest.LocalAddressOfAnotherFamilyIsAConfigurationError
    ServeListen.BadListenOrLimitIsAUsageError
    ServeListen.BadSocketOptionIsRefusedInTheScenariosWords
    ServerLimits.DefaultsAreTheScenarioDefaults ServerLimits.ScenarioKeysAreReadAndRangeChecked
    SocketOptions.FastOpenIsAQueueLengthOnTheListenerAndASwitchOnTheClient
    SocketOptions.IpTosIsTrafficClassOnIpv6Sockets
    TcpInfo.OverALinkA4KiBSendBufferIsTheDominantLimitAndA4MiBOneIsNot
    TcpInfo.ScenarioKeyIsABooleanDefaultingToTrue
    TlsOnLoopback.EveryResponseOfOpensslSServerIsCounted
    TlsOnLoopback.ResumptionAgainstNginxAgreesWithItsLog
    TlsOnLoopback.EarlyDataAgainstNginxIsAnsweredAndLogged
    TlsOnLoopback.ARenegotiationIsRefusedAndIsNoFailedHandshake)

# A load run, then nginx, openssl s_server, python3-matplotlib, python3-jsonschema or
# docs/report.md's Python.
tcpharness_test_group(tcpharness_tests loopback_peers "loopback;peers"
  TESTS
    Cli.RunWritesAReportThatMatchesTheSchema Nginx.* Plot.* Repetitions.* ReportOutput.*
    TlsOnLoopback.EveryResponseOfOpensslSServerIsCounted
    TlsOnLoopback.ResumptionAgainstNginxAgreesWithItsLog
    TlsOnLoopback.EarlyDataAgainstNginxIsAnsweredAndLogged
    TlsOnLoopback.ARenegotiationIsRefusedAndIsNoFailedHandshake
  EXCEPT
    Repetitions.BadLabelsAndCountsAreConfigurationErrors)

# Up to 8 tune rounds of two 0.5 s runs, then python3-jsonschema.
tcpharness_test_group(tcpharness_tests loopback_peers_slow "loopback;peers;slow"
  TESTS
    TuneCli.RecommendsNoDelayOverANagleStallAndReportsEveryRepetition)

# Capacity searches of up to 120 s each (one tried again when the machine slowed down), then
# python3-jsonschema. Alone: beside other load tests the latency it searches on is theirs too.
tcpharness_test_group(tcpharness_tests capacity "loopback;peers;slow"
  TESTS
    CapacityOnLoopback.*
  RUN_SERIAL
  TIMEOUT 330)

# ip netns, tc, TUN or unshare -n: skipped without CAP_NET_ADMIN / root.
tcpharness_test_group(tcpharness_tests root "root"
  TESTS
    FastOpen.* PortExhaustion.* ShapedLink.* SlowStart.* ClosingOverALink.*)

# Two 2.5 s streams over a shaped link.
tcpharness_test_group(tcpharness_tests root_slow "root;slow"
  TESTS
    TcpInfo.OverALinkA4KiBSendBufferIsTheDominantLimitAndA4MiBOneIsNot)

# A shaped link per run, then python3-jsonschema.
tcpharness_test_group(tcpharness_tests root_peers "root;peers"
  TESTS
    TuneCli.ARunThatFailsMidTuneKeepsTheFinishedRoundsInTheReport)

# Alone: it lowers its process's descriptor limit and times the server's CPU over half a
# second, and once failed its first connect while other tests churned tens of thousands
# of loopback connections beside it.
tcpharness_test_group(tcpharness_tests serial "loopback"
  TESTS
    ServerDescriptors.*
  RUN_SERIAL)

# Alone: a SCHED_FIFO process on CPU 0 for a second, with the server on CPU 1 as the peer.
tcpharness_test_group(tcpharness_tests serial_hog "loopback"
  TESTS
    Timestamps.ADelayedClientLoopIsHarnessShareNotNetworkTime
  RUN_SERIAL)

# Whatever no group names (a new suite): discovered and run, but without labels until it is
# added to a group above.
list(JOIN tcpharness_grouped_tests ":" tcpharness_grouped_filter)
gtest_discover_tests(tcpharness_tests DISCOVERY_TIMEOUT 30
                     TEST_FILTER "-${tcpharness_grouped_filter}"
                     TEST_LIST tcpharness_unlabelled PROPERTIES TIMEOUT 120)

# Replaces malloc for its whole process, which the sanitizers' own allocators forbid. Each test
# measures load runs on loopback.
if(NOT TCPHARNESS_SANITIZE AND NOT TCPHARNESS_TSAN)
  add_executable(tcpharness_alloc_tests alloc/hot_path_alloc_test.cpp)
  target_compile_options(tcpharness_alloc_tests PRIVATE -Wall -Wextra -Wpedantic)
  target_link_libraries(tcpharness_alloc_tests PRIVATE tcpharness_core GTest::gtest_main)
  tcpharness_test_group(tcpharness_alloc_tests alloc "loopback"
                        TESTS HotPath.*
                        EXCEPT HotPath.OpenLoopAllocatesNothingPerRequest)
  tcpharness_test_group(tcpharness_alloc_tests alloc_slow "loopback;slow"
                        TESTS HotPath.OpenLoopAllocatesNothingPerRequest)
endif()

# After every gtest_discover_tests() above: ctest reads the discovered tests first.
set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${tcpharness_labels_script}")

# docs/architecture.md's folder rules, on the source text.
add_test(NAME Layers.FoldersIncludeOnlyBelowAndSocketLayersStayJsonFree
         COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/check_layers.py ${PROJECT_SOURCE_DIR})

# docs/ci.md's GitHub Actions workflow: valid YAML, steps in an order that works in a debian:12
# container, every tcpharness command and flag real (python3-yaml).
add_test(NAME CiWorkflow.DocumentedWorkflowUsesRealCommandsInAWorkingOrder
         COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/check_ci_workflow.py
                 ${PROJECT_SOURCE_DIR}/docs/ci.md $<TARGET_FILE:tcpharness>)
set_tests_properties(CiWorkflow.DocumentedWorkflowUsesRealCommandsInAWorkingOrder
                     PROPERTIES LABELS "unit;peers")

# scripts/bench-peers' output parsing and verdict arithmetic (standard library only).
add_test(NAME BenchPeers.Parsers
         COMMAND python3 -m unittest discover -s ${PROJECT_SOURCE_DIR}/scripts/bench_peers)
set_tests_properties(Layers.FoldersIncludeOnlyBelowAndSocketLayersStayJsonFree BenchPeers.Parsers
                     PROPERTIES LABELS unit)
