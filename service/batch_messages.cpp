#include "service/batch_messages.h"

#include "messaging/batch/messaging_batch_manager.h"
#include "osid/id_list.h"
#include "osid/vector_list.h"
#include "transaction/transaction.h"
#include "service/batch_json.h"
#include "service/osid_json.h"

#include <fmt/format.h>

#include <map>
#include <unordered_map>

namespace osid::service {

using nlohmann::json;

namespace {

// Why a filled form is not valid: every problem the form reports, each
// with the field of params it concerns ("params.sent_time: the sent time is
// required; params.sender: ..."), from the element Ids of its invalid
// Metadata (sentTime -> sent_time).
std::string invalidFormMessage(const messaging::MessageForm &form)
{
    const auto messages = form.getValidationMessages();
    const auto elements = form.getInvalidMetadata();
    std::string out;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        std::string path = "params";
        if (i < elements.size() && !elements[i].getElementId().isNull()) {
            path += '.';
            for (const char c : elements[i].getElementId().getIdentifier()) {
                if (c >= 'A' && c <= 'Z') {
                    path += '_';
                    path += static_cast<char>(c - 'A' + 'a');
                } else {
                    path += c;
                }
            }
        }
        out += fmt::format("{}{}: {}", out.empty() ? "" : "; ", path, messages[i].getText());
    }
    return out.empty() ? "params: the message is not valid" : out;
}

// The error type of a create response that failed: the caller's fault
// unless the provider itself failed.
const char *errorTypeOf(ErrorCode code)
{
    return code == ErrorCode::OperationFailed ? error_type::kApi : error_type::kInvalidRequest;
}

// After a provider commit that failed: the requests whose keys are found
// succeeded (the commit had reached the server); the others failed with
// the commit's error. A lookup that fails too leaves the commit's error to
// the caller, for every request not found yet.
void committedAnyway(const ChunkOfBatch &chunk, const std::vector<const PendingRequest *> &created,
                     ProviderSessions &sessions, std::vector<FinishedRequest> &finished,
                     const OperationFailed &commitError)
{
    std::vector<const PendingRequest *> lost;
    try {
        recoverMessages(chunk, created, sessions, finished, lost);
    } catch (const std::exception &) {
        throw commitError;
    }
    for (const auto *r : lost)
        finished.push_back({r->index, RequestState::Errored,
                            errorJson(error_type::kApi, ErrorCode::OperationFailed,
                                      fmt::format("the provider failed: {}", commitError.what()))});
}

} // namespace

Id requestAlias(const std::string &authority, const std::string &batchId, const std::string &customId)
{
    return Id(authority, "batch-request", batchId + "/" + customId);
}

void ProviderSessions::open(messaging::MessagingManager &manager, const std::string &in)
{
    if (admin && workspace == in)
        return;
    admin.reset();
    lookup.reset();
    if (in.empty()) {
        admin = manager.getMessagingBatchManager()->getMessageBatchAdminSession();
        lookup = manager.getMessageLookupSession();
    } else {
        const auto mailbox = Id::parse(in);
        admin = manager.getMessagingBatchManager()->getMessageBatchAdminSessionForMailbox(mailbox);
        lookup = manager.getMessageLookupSessionForMailbox(mailbox);
    }
    transactions = admin->supportsTransactions();
    workspace = in;
}

void recoverMessages(const ChunkOfBatch &chunk, const std::vector<const PendingRequest *> &requests,
                     ProviderSessions &sessions, std::vector<FinishedRequest> &finished,
                     std::vector<const PendingRequest *> &missing)
{
    for (const auto *r : requests) {
        std::shared_ptr<messaging::Message> message;
        try {
            message = sessions.lookup->getMessage(requestAlias(chunk.authority, chunk.batchId, r->customId));
        } catch (const NotFound &) {
            missing.push_back(r);
            continue;
        }
        finished.push_back({r->index, RequestState::Succeeded, messageJsonText(*message)});
    }
}

// Creates the messages of `requests`, each with its idempotency key: in
// one provider transaction where the provider has them (the keys and
// the messages exist together or not at all), else right after.
Created createMessages(const ChunkOfBatch &chunk, const std::vector<const PendingRequest *> &requests,
                       ProviderSessions &sessions, std::vector<FinishedRequest> &finished, const CommitFence &fence)
{
    const auto finishedBefore = finished.size();
    // The fence is left as soon as the messages are committed, or not, and
    // on the way out of a failure.
    struct Leave {
        const CommitFence &fence;
        ~Leave() { fence.leave(); }
    } leaveOnExit{fence};
    const auto fail = [&](const PendingRequest &r, const char *type, ErrorCode code, const std::string &message) {
        finished.push_back({r.index, RequestState::Errored, errorJson(type, code, message)});
    };
    const auto refuse = [&](const PendingRequest &r, const std::string &message) {
        fail(r, error_type::kInvalidRequest, ErrorCode::InvalidArgument, message);
    };
    // Forms are asked for per set of record types: at most two here.
    std::map<std::vector<Type>, std::vector<std::pair<const PendingRequest *, json>>> byTypes;
    for (const auto *r : requests) {
        auto params = json::parse(r->params, nullptr, false);
        try {
            auto types = messageRecordTypes(params, "params");
            byTypes[types].emplace_back(r, std::move(params));
        } catch (const JsonShapeError &e) {
            refuse(*r, e.what());
        }
    }
    std::vector<std::shared_ptr<messaging::batch::MessageBatchForm>> forms;
    std::unordered_map<Id, const PendingRequest *> byForm;
    for (auto &[types, group] : byTypes) {
        auto fresh = sessions.admin->getMessageFormsForCreate(group.size(), types);
        for (auto &[request, params] : group) {
            auto form = fresh->getNextMessageBatchForm();
            try {
                fillMessageForm(*form, params, "params");
            } catch (const JsonShapeError &e) {
                refuse(*request, e.what());
                continue;
            }
            if (!form->isValid()) {
                // Said here, with every problem and its field, rather
                // than by the provider's create response.
                refuse(*request, invalidFormMessage(*form));
                continue;
            }
            byForm.emplace(form->getId(), request);
            forms.push_back(std::move(form));
        }
    }
    if (forms.empty())
        return Created::Done;
    std::unique_ptr<transaction::Transaction> transaction;
    if (sessions.transactions)
        transaction = sessions.admin->startTransaction();
    else if (!fence.enter())
        return Created::TakenOver; // without a transaction, the create is the commit
    VectorList<messaging::batch::MessageBatchFormList> formList(forms);
    auto responses = sessions.admin->createMessages(formList);
    std::vector<Id> createdIds;
    std::vector<transaction::batch::AliasRequest> keys;
    std::unordered_map<Id, const PendingRequest *> byCreated;
    for (const auto &response : *responses) {
        const auto *request = byForm.at(response.getFormId());
        if (!response.isSuccessful()) {
            fail(*request, errorTypeOf(response.getErrorCode()), response.getErrorCode(),
                 response.getErrorMessage().getText());
            continue;
        }
        createdIds.push_back(response.getCreatedId());
        keys.emplace_back(response.getCreatedId(), requestAlias(chunk.authority, chunk.batchId, request->customId));
        byCreated.emplace(response.getCreatedId(), request);
    }
    if (!keys.empty()) {
        VectorList<transaction::batch::AliasRequestList> keyList(std::move(keys));
        auto keyed = sessions.admin->aliasMessages(keyList);
        for (const auto &response : *keyed)
            if (!response.isSuccessful() && transaction)
                throw OperationFailed(fmt::format("cannot add the idempotency key {}: {}",
                                                  response.getAliasId().toString(),
                                                  response.getErrorMessage().getText()));
    }
    // The requests whose messages the transaction holds, for lookups of
    // their keys.
    std::vector<const PendingRequest *> created;
    for (const auto &entry : byCreated)
        created.push_back(entry.second);
    if (transaction && chunk.runBefore && !created.empty()) {
        // The worker that ran this chunk before may have died while its
        // commit was still being made (its lock on the chunk went with its
        // connection): the lookup before the create then found nothing.
        // Writing the keys waited for that commit, so the keys are looked
        // up again; if it did commit, its messages are the requests'.
        std::vector<const PendingRequest *> none;
        std::vector<FinishedRequest> found;
        recoverMessages(chunk, created, sessions, found, none);
        if (!found.empty()) {
            transaction->abort();
            finished.resize(finishedBefore);
            return Created::RanBefore;
        }
    }
    if (transaction) {
        if (!fence.enter()) {
            transaction->abort();
            return Created::TakenOver;
        }
        try {
            transaction->commit();
        } catch (const OperationFailed &e) {
            // The server may have committed before the connection was lost
            // (a restart cutting the COMMIT off): the keys say whether.
            fence.leave();
            committedAnyway(chunk, created, sessions, finished, e);
            return Created::Done;
        }
    }
    fence.leave();
    if (createdIds.empty())
        return Created::Done;
    // Read the messages back, so each result holds what was stored. They
    // are committed, so their requests succeeded: a read that fails (its
    // connection lost to a server restart) is made again, connecting anew,
    // rather than reporting them failed.
    const auto readBack = [&] {
        VectorList<IdList> idList(createdIds);
        return sessions.lookup->getMessagesByIds(idList);
    };
    std::unique_ptr<messaging::MessageList> messages;
    try {
        messages = readBack();
    } catch (const OperationFailed &) {
        messages = readBack();
    }
    for (const auto &message : *messages) {
        const auto found = byCreated.find(message->getId());
        if (found == byCreated.end())
            continue;
        finished.push_back({found->second->index, RequestState::Succeeded, messageJsonText(*message)});
        byCreated.erase(found);
    }
    for (const auto &[id, request] : byCreated)
        fail(*request, error_type::kApi, ErrorCode::OperationFailed,
             fmt::format("message {} was created but could not be read back", id.toString()));
    return Created::Done;
}

} // namespace osid::service
