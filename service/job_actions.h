// The actions a job run can call, by OSID name: what each one's params
// must look like, and how it runs against a provider's sessions.
//
// Internal to the batch service (docs/job-runs.md describes the actions
// for users). A job is {namespace, action, params}; checkJob() finds every
// problem with one job before anything runs, and JobExecutor::execute()
// runs a job that passed those checks.
#pragma once

#include "messaging/batch/message_batch_admin_session.h"
#include "messaging/message_lookup_session.h"
#include "messaging/messaging_manager.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace osid::service::jobs {

// One thing wrong with a job. `empty` marks a required parameter that is
// missing or empty (24093); every other problem is a format problem (24092).
struct JobProblem {
    std::string reason;
    bool empty = false;
};

// Every problem with `job` (whatever JSON value it is), each reason
// starting with `path` ("jobs[3]"). Its params may be left out when the
// action needs none.
std::vector<JobProblem> checkJob(const nlohmann::json &job, const std::string &path);

// "messaging.batch.createMessages, ..., messaging.getMessage, ...": the
// actions there are, for error messages and documentation.
std::string knownActions();

// Runs checked jobs through one MessageBatchAdminSession and one
// MessageLookupSession on the manager's default mailbox. Single-threaded,
// as the sessions are.
class JobExecutor {
public:
    explicit JobExecutor(messaging::MessagingManager &manager);
    ~JobExecutor();

    // The job's response: what the action returned, or
    // {"error": {"type", "message"}} when the OSID call failed as a whole.
    // Never throws for an OSID error.
    nlohmann::json execute(const std::string &ns, const std::string &action, const nlohmann::json &params);

private:
    std::unique_ptr<messaging::batch::MessageBatchAdminSession> admin_;
    std::unique_ptr<messaging::MessageLookupSession> lookup_;
};

} // namespace osid::service::jobs
