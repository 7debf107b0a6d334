package dev.paystream.transforms.validate;

/** A payment that cannot be accepted, with the reason that goes into its dead letter. */
public class InvalidPaymentException extends Exception {
  private final DeadLetterReason reason;

  public InvalidPaymentException(DeadLetterReason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public InvalidPaymentException(DeadLetterReason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public DeadLetterReason reason() {
    return reason;
  }
}
