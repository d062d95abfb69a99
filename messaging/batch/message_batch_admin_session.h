// osid::messaging::batch::MessageBatchAdminSession (OSID
// osid.messaging.batch.MessageBatchAdminSession): creates, updates, deletes
// and aliases messages of one mailbox in bulk.
//
// Every bulk call returns exactly one response per item, in no defined
// order: create and update responses name their form (getFormId()), delete
// responses the message (getDeletedId()), alias responses the request's Ids.
// A bad item fails alone, as data in its response (isSuccessful() false,
// getErrorMessage()); it never throws. The call itself throws only when the
// whole call fails, and then it has changed nothing. Outside a transaction
// each call is best effort: the items that succeeded stay done.
//
// Forms follow MessageAdminSession's rules. In a bulk call these are failed
// items, with the getErrorCode() shown:
//   a form that did not come from this session         Unsupported
//   a form of the wrong kind (update for create, ...)  Unsupported
//   a spent form (it already succeeded)                IllegalState
//   the same form a second time in one call            IllegalState
//   a form that is not valid (isValid() is false)      InvalidArgument
//   an update form whose message is gone               NotFound
//
// A null element in a form list raises NullArgument for the whole call
// before anything changes: a null form has no Id to answer with.
//
// Every method raises IllegalState once the session is closed.
//
// Example:
//   auto forms = session->getMessageFormsForCreate(2, {});
//   std::vector<std::shared_ptr<MessageBatchForm>> filled;
//   for (auto form : *forms) { form->setSubjectLine("hello"); filled.push_back(form); }
//   osid::VectorList<MessageBatchFormList> submitted(std::move(filled));
//   for (const auto &r : session->createMessages(submitted))
//       if (r.isSuccessful()) use(r.getCreatedId());

#pragma once

#include "messaging/batch/message_batch_form.h"
#include "messaging/message_admin_session.h"
#include "osid/datetime.h"
#include "osid/id.h"
#include "osid/id_list.h"
#include "osid/type.h"
#include "transaction/batch/alias_request.h"
#include "transaction/batch/alias_response.h"
#include "transaction/batch/create_response.h"
#include "transaction/batch/delete_response.h"
#include "transaction/batch/update_response.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace osid::messaging::batch {

class MessageBatchAdminSession : public MessageAdminSession {
public:
    // `number` new create forms, each carrying `messageRecordTypes` (empty:
    // no records) and its own form Id.
    // Errors: NullArgument (a null Type), OperationFailed, PermissionDenied,
    //         Unsupported (a record type this provider cannot give).
    virtual std::unique_ptr<MessageBatchFormList> getMessageFormsForCreate(
        std::uint64_t number, const std::vector<Type> &messageRecordTypes) = 0;

    // Creates one message per form. One CreateResponse per form.
    // Errors: NullArgument (a null form in the list), OperationFailed,
    //         PermissionDenied.
    virtual std::unique_ptr<transaction::batch::CreateResponseList> createMessages(
        MessageBatchFormList &messageForms) = 0;

    // One new update form per Id (or alias) in `messageIds`, whose
    // getMessageId() is the message's primary Id.
    // Errors: NotFound (an Id names no message in this mailbox; no forms are
    //         returned), NullArgument (a null Id), OperationFailed,
    //         PermissionDenied.
    virtual std::unique_ptr<MessageBatchFormList> getMessageFormsForUpdate(IdList &messageIds) = 0;

    // Applies each form to its message. One UpdateResponse per form.
    // Errors: NullArgument (a null form in the list), OperationFailed,
    //         PermissionDenied.
    virtual std::unique_ptr<transaction::batch::UpdateResponseList> updateMessages(
        MessageBatchFormList &messageForms) = 0;

    // Deletes every message in this session's mailbox. One DeleteResponse
    // per message deleted.
    // Errors: OperationFailed, PermissionDenied.
    virtual std::unique_ptr<transaction::batch::DeleteResponseList> deleteAllMessages() = 0;

    // Deletes the messages of this mailbox sent by `resourceId`. One
    // DeleteResponse per message that matched; none for an unknown sender.
    // Errors: NullArgument (the null Id), OperationFailed, PermissionDenied.
    virtual std::unique_ptr<transaction::batch::DeleteResponseList> deleteMessagesBySender(const Id &resourceId) = 0;

    // Deletes the messages of this mailbox received in [from, to] (both
    // ends included). One DeleteResponse per message that matched.
    // Errors: InvalidArgument (from is after to), OperationFailed,
    //         PermissionDenied.
    virtual std::unique_ptr<transaction::batch::DeleteResponseList> deleteMessagesByDate(const DateTime &from,
                                                                                         const DateTime &to) = 0;

    // Adds each request's alias Id to its message; an alias that points to
    // another message is re-pointed. One AliasResponse per request.
    // Errors: OperationFailed, PermissionDenied.
    virtual std::unique_ptr<transaction::batch::AliasResponseList> aliasMessages(
        transaction::batch::AliasRequestList &aliasRequests) = 0;
};

} // namespace osid::messaging::batch
