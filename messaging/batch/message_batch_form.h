// osid::messaging::batch::MessageBatchForm and MessageBatchFormList (OSID
// osid.messaging.batch): the form of one item in a bulk create or update.
//
// Consumers get forms from getMessageFormsForCreate()/ForUpdate(), fill
// them in, and pass them back in a list they build:
//
//   std::vector<std::shared_ptr<MessageBatchForm>> filled;
//   for (auto form : session->getMessageFormsForCreate(n, {})) {
//       form->setSubjectLine("..."); filled.push_back(form);
//   }
//   osid::VectorList<MessageBatchFormList> forms(std::move(filled));
//   auto responses = session->createMessages(forms);

#pragma once

#include "messaging/message_form.h"
#include "osid/id.h"
#include "osid/osid_list.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace osid::messaging::batch {

class MessageBatchForm : public MessageForm {
public:
    // The Id of the message this update form targets.
    // Errors: IllegalState (isForUpdate() is false).
    virtual Id getMessageId() const = 0;
};

class MessageBatchFormList : public OsidList<std::shared_ptr<MessageBatchForm>> {
public:
    // Errors: IllegalState (no more elements), OperationFailed.
    std::shared_ptr<MessageBatchForm> getNextMessageBatchForm() { return this->nextElement(); }
    // Errors: IllegalState (`n` exceeds available()), OperationFailed.
    std::vector<std::shared_ptr<MessageBatchForm>> getNextMessageBatchForms(std::uint64_t n)
    {
        return this->nextElements(n);
    }
};

} // namespace osid::messaging::batch
