package dev.paystream.pipelines.generator;

import dev.paystream.schemas.CustomerType;
import dev.paystream.schemas.PaymentMethod;

/**
 * A customer's habits, fixed for the whole run, so their payments look like one person's.
 *
 * @param typicalAmount median payment amount in minor units; single payments scatter log-normally
 *     around it
 * @param favouriteMerchants indices of the merchants they usually pay
 */
record CustomerProfile(
    String id,
    CustomerType type,
    HabitProfile habits,
    long typicalAmount,
    int riskLevel,
    City home,
    String deviceOs,
    String appVersion,
    PaymentMethod preferredMethod,
    int[] favouriteMerchants) {}
