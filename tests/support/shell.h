// runShell(command): runs a shell command, as the tests of the command-line
// tools do, and returns its exit status and what it wrote to stdout.

#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace osid::testing {

struct ShellRun {
    int status; // the exit status, or -1 if the command did not exit
    std::string out;
};

inline ShellRun runShell(const std::string &command)
{
    ShellRun run{-1, {}};
    FILE *pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr)
        throw std::runtime_error("cannot run " + command);
    std::array<char, 4096> buffer{};
    while (auto n = std::fread(buffer.data(), 1, buffer.size(), pipe))
        run.out.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

} // namespace osid::testing
