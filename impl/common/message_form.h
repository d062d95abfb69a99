// MessageFormImpl: the MessageBatchForm of every provider, with the
// delivery record; and MailboxFormImpl.
//
// A provider issues forms with forCreate()/forUpdate(), checks a submitted
// form with admit(), builds the new message with contentForCreate() or
// changes a stored one with applyTo(), and calls markSpent() once the store
// accepted the change.

#pragma once

#include "impl/common/message_content.h"
#include "impl/common/object_form.h"
#include "messaging/batch/message_batch_form.h"
#include "messaging/mailbox_form.h"
#include "messaging/records/delivery_record.h"

#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace osid::impl {

// Why a submitted form cannot be used: the OSID error and a message.
struct FormRefusal {
    ErrorCode code;
    std::string message;
};

class MessageFormImpl final : public ObjectFormBase<messaging::batch::MessageBatchForm> {
public:
    static std::shared_ptr<MessageFormImpl> forCreate(std::shared_ptr<const FormRules> rules,
                                                      std::uint64_t sessionSerial, std::vector<Type> recordTypes);
    static std::shared_ptr<MessageFormImpl> forUpdate(std::shared_ptr<const FormRules> rules,
                                                      std::uint64_t sessionSerial, Id messageId,
                                                      const MessageContent &existing);

    // Checks that `form` may be submitted to session `sessionSerial` as a
    // create (forUpdate false) or update form: it must be one of ours, from
    // that session, of that kind, not spent, and valid. Returns the form or
    // the reason it is refused.
    static std::variant<MessageFormImpl *, FormRefusal> admit(messaging::MessageForm &form,
                                                              std::uint64_t sessionSerial, bool forUpdate);

    // MessageForm.
    Metadata getSubjectLineMetadata() const override;
    void setSubjectLine(const std::string &subject) override;
    void clearSubjectLine() override;
    Metadata getTextMetadata() const override;
    void setText(const std::string &text) override;
    void clearText() override;
    messaging::records::MessageFormRecord &getMessageFormRecord(const Type &messageRecordType) override;

    // MessageBatchForm.
    Id getMessageId() const override;

    // The message a valid create form describes. `defaultSendingAgent`
    // fills the delivery record's sending agent when it was not set.
    MessageContent contentForCreate(const Id &defaultSendingAgent) const;
    // The same into `content`, overwriting all of it: a batch fills one
    // MessageContent per message and so reuses its buffers.
    void fillForCreate(MessageContent &content, const Id &defaultSendingAgent) const;

    // Applies the elements set or cleared on a valid update form.
    void applyTo(MessageContent &content) const;

private:
    class Delivery;
    friend class Delivery;

    MessageFormImpl(FormOrigin origin, std::vector<Type> recordTypes, Id messageId);

    void addProblems(std::vector<Problem> &out) const override;
    bool hasDelivery() const noexcept { return delivery_ != nullptr; }

    Id messageId_;
    Element<std::string> subject_;
    Element<std::string> text_;
    std::unique_ptr<Delivery> delivery_;
};

class MailboxFormImpl final : public ObjectFormBase<messaging::MailboxForm> {
public:
    MailboxFormImpl(std::shared_ptr<const FormRules> rules, std::uint64_t sessionSerial,
                    std::vector<Type> recordTypes);

    // The display name, description and genus type set on the form.
    std::string displayName() const { return displayName_.value.value_or(""); }
    std::string description() const { return description_.value.value_or(""); }
    Type genusType() const { return genusType_.value.value_or(Type()); }
};

} // namespace osid::impl
