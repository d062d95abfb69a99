// MessageFormImpl: the MessageBatchForm of every provider, with the
// delivery record; and MailboxFormImpl.
//
// A provider issues forms with forCreate()/forUpdate(), checks a submitted
// form with admit(), builds the new message with contentForCreate() or
// changes a stored one with changes(), and calls markSpent() once the store
// accepted the change.

#pragma once

#include "impl/common/message_content.h"
#include "impl/common/object_form.h"
#include "impl/common/snapshots.h"
#include "messaging/batch/message_batch_form.h"
#include "messaging/mailbox_form.h"
#include "messaging/records/delivery_record.h"

#include <memory>
#include <optional>
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
    // Only the factories below build forms (a passkey: the constructor is
    // public so that a form block can build them in place).
    struct Key {
        explicit Key() = default;
    };

public:
    // `count` create forms issued together. They share one allocation, and
    // their record types, which lives until the last of them is released:
    // a batch of forms costs about what one form used to.
    static std::vector<std::shared_ptr<messaging::batch::MessageBatchForm>> forCreate(
        std::shared_ptr<const FormRules> rules, std::uint64_t sessionSerial, std::vector<Type> recordTypes,
        std::size_t count);
    static std::shared_ptr<MessageFormImpl> forUpdate(std::shared_ptr<const FormRules> rules,
                                                      std::uint64_t sessionSerial, const FormIds &formIds, Id messageId,
                                                      MessageView &&existing);

    MessageFormImpl(Key, FormOrigin origin, RecordTypes recordTypes, Id messageId);
    MessageFormImpl(const MessageFormImpl &) = delete;
    MessageFormImpl &operator=(const MessageFormImpl &) = delete;

    // Checks that `form` may be submitted to session `sessionSerial` as a
    // create (forUpdate false) or update form: it must be one of ours, from
    // that session, of that kind, not spent, and valid. Returns the form or
    // the reason it is refused.
    static std::variant<MessageFormImpl *, FormRefusal> admit(messaging::MessageForm &form, std::uint64_t sessionSerial,
                                                              bool forUpdate);

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

    // The elements set or cleared on a valid update form, as changes that
    // refer to the form.
    MessageChanges changes() const;

private:
    // The delivery record of a form; its elements live here. Part of the
    // form (not a heap object of its own), so it holds a reference back.
    class Delivery final : public messaging::records::DeliveryMessageFormRecord {
    public:
        explicit Delivery(const MessageFormImpl &form) : form_(form) {}

        bool implementsRecordType(const Type &recordType) const override;
        Metadata getSenderMetadata() const override;
        void setSender(const Id &senderId) override;
        void clearSender() override;
        Metadata getSendingAgentMetadata() const override;
        void setSendingAgent(const Id &agentId) override;
        void clearSendingAgent() override;
        Metadata getRecipientsMetadata() const override;
        void setRecipients(const std::vector<Id> &recipientIds) override;
        void clearRecipients() override;
        Metadata getSentTimeMetadata() const override;
        void setSentTime(const DateTime &t) override;
        void clearSentTime() override;
        Metadata getReceivedTimeMetadata() const override;
        void setReceivedTime(const DateTime &t) override;
        void clearReceivedTime() override;

        Element<Id> sender;
        Element<Id> sendingAgent;
        Element<std::vector<Id>> recipients;
        Element<DateTime> sentTime;
        Element<DateTime> receivedTime;

    private:
        Metadata idMetadata(const char *name, const char *label, const Element<Id> &e, bool required,
                            bool readOnly) const;
        Metadata timeMetadata(const char *name, const char *label, const Element<DateTime> &e, bool required) const;
        static void setId(Element<Id> &e, const char *label, bool readOnly, const Id &value, const char *parameter);
        static void setTime(Element<DateTime> &e, const char *label, const DateTime &value);

        const MessageFormImpl &form_;
    };

    void addProblems(std::vector<Problem> &out) const override;

    Id messageId_;
    TextElement subject_;
    TextElement text_;
    std::optional<Delivery> delivery_;
    // What an update form's existing strings are views into.
    std::shared_ptr<const void> existing_;
};

class MailboxFormImpl final : public ObjectFormBase<messaging::MailboxForm> {
public:
    MailboxFormImpl(std::shared_ptr<const FormRules> rules, std::uint64_t sessionSerial, std::vector<Type> recordTypes);

    // The display name, description and genus type set on the form.
    std::string displayName() const { return std::string(displayName_.current().value_or("")); }
    std::string description() const { return std::string(description_.current().value_or("")); }
    Type genusType() const { return genusType_.value.value_or(Type()); }
};

} // namespace osid::impl
