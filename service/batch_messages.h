// How a chunk of a batch's requests becomes messages through the provider
// (not installed): the provider's sessions, each request's idempotency key,
// and the result of each request.
//
// A request's idempotency key is an alias Id the provider keeps with its
// message, batch-request:<batch id>/<custom_id>@<store authority>: added in
// the same provider transaction as the create where the provider has
// transactions, right after it otherwise. A chunk that a stopped process
// left unsaved is run again by looking its keys up first.

#pragma once

#include "messaging/batch/message_batch_admin_session.h"
#include "messaging/message_lookup_session.h"
#include "messaging/messaging_manager.h"
#include "service/batch_store.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace osid::service {

// The sessions one worker uses, opened on its first chunk, in the mailbox
// of the chunk's workspace.
struct ProviderSessions {
    std::unique_ptr<messaging::batch::MessageBatchAdminSession> admin;
    std::unique_ptr<messaging::MessageLookupSession> lookup;
    bool transactions = false;
    std::string workspace; // the one they are open in

    // Opens them in the mailbox of `workspace` (MessageBatch::workspace;
    // empty: the provider's default mailbox), unless open there already.
    // Errors: as the provider's manager (NotFound: no such mailbox).
    void open(messaging::MessagingManager &manager, const std::string &workspace);
};

// Whose the requests of a chunk are.
struct ChunkOfBatch {
    std::string authority; // the store's (BatchStore::authority)
    std::string batchId;
    // The chunk was run before (taken over, or resumed): its keys were
    // looked up first, and may have been committed since (see
    // createMessages).
    bool runBefore = false;
};

// Around the moment a chunk's messages become visible to others: enter()
// just before (the provider transaction's commit; without transactions,
// the create call), false when they must not (the chunk was taken over);
// leave() once they are committed or not. leave() may come more than
// once, and without enter().
struct CommitFence {
    std::function<bool()> enter;
    std::function<void()> leave;
};

// What createMessages did.
enum class Created {
    Done,      // every request is in `finished`
    TakenOver, // the fence refused: nothing was created or added
    RanBefore, // runBefore, and the keys were found committed meanwhile:
               // nothing was created or added; look them up again
};

// The idempotency key of a batch's request. custom_id is checked to
// [a-zA-Z0-9_-] and the batch id is msgbatch_<hex>, so the identifier needs
// no escaping; Id's text form escapes the rest.
Id requestAlias(const std::string &authority, const std::string &batchId, const std::string &customId);

// Looks up each request's idempotency key: a message found is the request's
// (created by a process that stopped before saving the result), and
// succeeded; the others go to `missing`.
void recoverMessages(const ChunkOfBatch &chunk, const std::vector<const PendingRequest *> &requests,
                     ProviderSessions &sessions, std::vector<FinishedRequest> &finished,
                     std::vector<const PendingRequest *> &missing);

// Creates the messages of `requests`, each with its idempotency key, and
// adds each request's result to `finished`: succeeded with the message as
// stored, or errored with why (invalid_request_error: the params were
// refused; api_error: the provider failed). The messages are committed
// inside `fence`. A commit that fails is followed by a lookup of the keys,
// since the server may have committed before the connection was lost: the
// requests found succeeded.
// Errors: whatever the provider throws for the whole call; the caller makes
//         every request not in `finished` errored with it.
Created createMessages(const ChunkOfBatch &chunk, const std::vector<const PendingRequest *> &requests,
                       ProviderSessions &sessions, std::vector<FinishedRequest> &finished, const CommitFence &fence);

} // namespace osid::service
