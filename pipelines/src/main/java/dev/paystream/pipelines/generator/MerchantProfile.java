package dev.paystream.pipelines.generator;

import dev.paystream.schemas.CommissionType;
import dev.paystream.schemas.MerchantCategory;

/** A merchant: what it sells and how the processor charges it. */
record MerchantProfile(String id, MerchantCategory category, CommissionType commissionType) {}
