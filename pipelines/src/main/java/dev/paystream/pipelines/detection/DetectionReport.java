package dev.paystream.pipelines.detection;

import dev.paystream.pipelines.generator.FraudPattern;
import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import dev.paystream.schemas.Decision;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.transforms.validate.InvalidPaymentException;
import dev.paystream.transforms.validate.PaymentFormat;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Detection quality of a run measured against the generator's labels: for each {@link
 * FraudPattern}, how many of its incidents were caught (recall), and over all payments the
 * precision and the false-positive rate. A payment counts as flagged when its decision is REVIEW or
 * DECLINE; a valid payment without a decision counts as not flagged.
 *
 * <p>Recall is per incident: a burst's first payments look like any other (features are point in
 * time, so nothing can know that more will follow), and a team stops a burst by blocking the card
 * at its first flagged payment. An incident is one customer's payments of one pattern within {@link
 * FraudPattern#BURST_WINDOW} of its first; likewise a compromised merchant's run is one incident
 * (its payments at one merchant within {@link FraudPattern#MERCHANT_RUN_WINDOW} of its first: its
 * first payments look ordinary to the merchant too, and a flag holds the merchant's payments); every
 * other pattern makes one payment per incident. The share of a pattern's payments that were flagged
 * is shown beside it: for a run, the payments that a hold at the first flag would not have stopped
 * are the ones before it.
 *
 * <p>For the same reason a legitimate payment a customer makes within {@link #COLLATERAL_WINDOW}
 * after one of their fraudulent payments is counted apart, as collateral: it lands inside the
 * incident's traces (a burst's count, a fraudster's far place), no point-in-time feature can tell
 * it from the fraud around it, and an account blocked at the incident's first flag would not make
 * it. Likewise a legitimate payment at a merchant within {@link FraudPattern#MERCHANT_RUN_WINDOW}
 * after a payment of that merchant's compromised run: it is judged while the merchant is under
 * attack, and a merchant held at the run's first flag would not take it. The false-positive rate
 * is over the other legitimate payments; the table shows both.
 */
public final class DetectionReport {
  /** How long after a fraudulent payment the same customer's legitimate payments are collateral. */
  public static final Duration COLLATERAL_WINDOW = Duration.ofMinutes(2);

  /** One pattern's row. */
  public record PatternRow(FraudPattern pattern, int payments, int paymentsFlagged, int incidents, int incidentsCaught) {
    public double recall() {
      return incidents == 0 ? Double.NaN : (double) incidentsCaught / incidents;
    }
  }

  private final Map<FraudPattern, PatternRow> rows = new EnumMap<>(FraudPattern.class);
  private final long legit;
  private final long legitFlagged;
  private final long fraudFlagged;
  private final long undecided;
  private final long collateral;
  private final long collateralFlagged;
  private final Map<String, Long> falsePositiveRules;

  private DetectionReport(
      Map<FraudPattern, PatternRow> rows, long legit, long legitFlagged, long fraudFlagged, long undecided,
      long collateral, long collateralFlagged, Map<String, Long> falsePositiveRules) {
    this.rows.putAll(rows);
    this.collateral = collateral;
    this.collateralFlagged = collateralFlagged;
    this.falsePositiveRules = Map.copyOf(falsePositiveRules);
    this.legit = legit;
    this.legitFlagged = legitFlagged;
    this.fraudFlagged = fraudFlagged;
    this.undecided = undecided;
  }

  /**
   * @param generated what the generator made (only valid payments count; duplicates and malformed
   *     records are ignored)
   * @param decisions the pipeline's decisions, joined to the payments by transaction id
   */
  public static DetectionReport of(Collection<GeneratedRecord> generated, Collection<FraudDecision> decisions) {
    Map<String, Decision> decided = new HashMap<>();
    Map<String, List<String>> rules = new HashMap<>();
    decisions.forEach(d -> {
      decided.put(d.getTransactionId(), d.getDecision());
      rules.put(d.getTransactionId(), d.getReasons());
    });
    Map<String, Long> falsePositiveRules = new TreeMap<>();
    long legit = 0;
    long legitFlagged = 0;
    long fraudFlagged = 0;
    long undecided = 0;
    long collateral = 0;
    long collateralFlagged = 0;
    Map<FraudPattern, List<GeneratedRecord>> fraud = new EnumMap<>(FraudPattern.class);
    Map<String, List<Long>> fraudTimes = new HashMap<>();
    Map<String, List<Long>> merchantRunTimes = new HashMap<>();
    for (GeneratedRecord record : generated) {
      if (record.kind() == Kind.VALID && record.fraudPattern() != null) {
        fraudTimes.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record.timestampMillis());
        if (FraudPattern.COMPROMISED_MERCHANT.name().equals(record.fraudPattern())) {
          merchantRunTimes.computeIfAbsent(merchantOf(record), k -> new ArrayList<>()).add(record.timestampMillis());
        }
      }
    }
    for (GeneratedRecord record : generated) {
      if (record.kind() != Kind.VALID) {
        continue;
      }
      Decision decision = decided.get(record.transactionId());
      undecided += decision == null ? 1 : 0;
      boolean flagged = flagged(decision);
      if (record.fraudPattern() == null
          && (isCollateral(record, fraudTimes.getOrDefault(record.key(), List.of()), COLLATERAL_WINDOW)
              || !merchantRunTimes.isEmpty()
                  && isCollateral(record, merchantRunTimes.getOrDefault(merchantOf(record), List.of()), FraudPattern.MERCHANT_RUN_WINDOW))) {
        collateral++;
        collateralFlagged += flagged ? 1 : 0;
      } else if (record.fraudPattern() == null) {
        legit++;
        legitFlagged += flagged ? 1 : 0;
        if (flagged) {
          falsePositiveRules.merge(String.join("+", rules.get(record.transactionId())), 1L, Long::sum);
        }
      } else {
        fraudFlagged += flagged ? 1 : 0;
        fraud.computeIfAbsent(FraudPattern.valueOf(record.fraudPattern()), p -> new ArrayList<>()).add(record);
      }
    }
    Map<FraudPattern, PatternRow> rows = new EnumMap<>(FraudPattern.class);
    fraud.forEach((pattern, records) -> rows.put(pattern, row(pattern, records, decided)));
    return new DetectionReport(
        rows, legit, legitFlagged, fraudFlagged, undecided, collateral, collateralFlagged, falsePositiveRules);
  }

  private static boolean isCollateral(GeneratedRecord payment, List<Long> fraudTimes, Duration window) {
    long time = payment.timestampMillis();
    return fraudTimes.stream().anyMatch(t -> t <= time && time - t <= window.toMillis());
  }

  private static boolean flagged(Decision decision) {
    return decision == Decision.REVIEW || decision == Decision.DECLINE;
  }

  /**
   * Who an incident's payments share: a burst's customer, a compromised merchant's run's merchant;
   * null for the patterns of one payment per incident.
   */
  private static String incidentOwner(FraudPattern pattern, GeneratedRecord record) {
    return switch (pattern) {
      case BURST -> record.key();
      case COMPROMISED_MERCHANT -> merchantOf(record);
      default -> null;
    };
  }

  private static Duration incidentWindow(FraudPattern pattern) {
    return pattern == FraudPattern.COMPROMISED_MERCHANT ? FraudPattern.MERCHANT_RUN_WINDOW : FraudPattern.BURST_WINDOW;
  }

  private static String merchantOf(GeneratedRecord record) {
    try {
      return PaymentFormat.AUTO.decode(record.value()).getMerchantId();
    } catch (InvalidPaymentException e) {
      throw new IllegalArgumentException("a valid generated payment does not decode: " + record, e);
    }
  }

  private static PatternRow row(FraudPattern pattern, List<GeneratedRecord> records, Map<String, Decision> decided) {
    Map<GeneratedRecord, String> owners = new HashMap<>();
    records.forEach(r -> owners.put(r, String.valueOf(incidentOwner(pattern, r))));
    records.sort(Comparator.comparing((GeneratedRecord r) -> owners.get(r)).thenComparingLong(GeneratedRecord::timestampMillis));
    int flagged = 0;
    int incidents = 0;
    int caught = 0;
    String owner = null;
    long incidentStart = 0;
    boolean incidentCaught = false;
    for (GeneratedRecord record : records) {
      boolean isFlagged = flagged(decided.get(record.transactionId()));
      flagged += isFlagged ? 1 : 0;
      boolean sameIncident =
          pattern.maxRecords() > 1
              && owners.get(record).equals(owner)
              && record.timestampMillis() - incidentStart <= incidentWindow(pattern).toMillis();
      if (!sameIncident) {
        caught += incidentCaught ? 1 : 0;
        incidents++;
        owner = owners.get(record);
        incidentStart = record.timestampMillis();
        incidentCaught = false;
      }
      incidentCaught |= isFlagged;
    }
    caught += incidentCaught ? 1 : 0;
    return new PatternRow(pattern, records.size(), flagged, incidents, caught);
  }

  public Map<FraudPattern, PatternRow> rows() {
    return Map.copyOf(rows);
  }

  /** Recall of {@code pattern}'s incidents; NaN if the run had none. */
  public double recall(FraudPattern pattern) {
    PatternRow row = rows.get(pattern);
    return row == null ? Double.NaN : row.recall();
  }

  /** Share of the flagged payments that are fraud (collateral counts against it); NaN if none was flagged. */
  public double precision() {
    long flagged = fraudFlagged + legitFlagged + collateralFlagged;
    return flagged == 0 ? Double.NaN : (double) fraudFlagged / flagged;
  }

  /** Share of the legitimate payments that were flagged. */
  public double falsePositiveRate() {
    return legit == 0 ? Double.NaN : (double) legitFlagged / legit;
  }

  /** Share of all legitimate payments that were flagged, collateral included. */
  public double falsePositiveRateWithCollateral() {
    long all = legit + collateral;
    return all == 0 ? Double.NaN : (double) (legitFlagged + collateralFlagged) / all;
  }

  /** Valid payments that got no decision (counted as not flagged): 0 in a complete run. */
  public long undecided() {
    return undecided;
  }

  /** The table in Markdown, headed by {@code title}. */
  public String table(String title) {
    StringBuilder out = new StringBuilder();
    out.append(title).append('\n');
    out.append("| pattern | payments (flagged) | incidents | caught | recall |\n");
    out.append("|---|---:|---:|---:|---:|\n");
    rows.values().forEach(r -> out.append(String.format(
        "| %s | %,d (%,d) | %,d | %,d | %.1f%% |%n",
        r.pattern(), r.payments(), r.paymentsFlagged(), r.incidents(), r.incidentsCaught(), 100 * r.recall())));
    out.append(String.format(
        "precision %.1f%% (%,d of %,d flagged are fraud), false-positive rate %.2f%% (%,d of %,d legitimate flagged)%s%n",
        100 * precision(), fraudFlagged, fraudFlagged + legitFlagged + collateralFlagged, 100 * falsePositiveRate(), legitFlagged, legit,
        undecided == 0 ? "" : String.format(", %,d payments undecided", undecided)));
    out.append(String.format(
        "collateral (legitimate within %d min after the customer's fraud or %d min after a run at the merchant,"
            + " not in the rate): %,d flagged of %,d; false-positive rate with them %.2f%%%n",
        COLLATERAL_WINDOW.toMinutes(), FraudPattern.MERCHANT_RUN_WINDOW.toMinutes(), collateralFlagged, collateral, 100 * falsePositiveRateWithCollateral()));
    if (!falsePositiveRules.isEmpty()) {
      out.append("false positives by the rules that fired: ").append(falsePositiveRules).append('\n');
    }
    return out.toString();
  }

  public void print(String title, PrintStream out) {
    out.print(table(title));
    out.flush();
  }
}
