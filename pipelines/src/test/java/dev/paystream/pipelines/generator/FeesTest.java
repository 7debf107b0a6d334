package dev.paystream.pipelines.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.paystream.schemas.CommissionType;
import org.junit.jupiter.api.Test;

class FeesTest {
  @Test
  void vatIsNinePercentRoundedDown() {
    assertEquals(13_500, Fees.vat(150_000));
    assertEquals(8, Fees.vat(99));
  }

  @Test
  void flatChargesOneRate() {
    assertEquals(2_250, Fees.commission(CommissionType.FLAT, 150_000));
    assertEquals(150_000, Fees.commission(CommissionType.FLAT, 10_000_000));
  }

  @Test
  void progressiveChargesEachSliceItsOwnRate() {
    assertEquals(5_000, Fees.commission(CommissionType.PROGRESSIVE, 500_000));
    // 1% of the first million, 2% of the next four, 3% of the last one
    assertEquals(10_000 + 80_000 + 30_000, Fees.commission(CommissionType.PROGRESSIVE, 6_000_000));
  }

  @Test
  void tieredChargesTheWholeAmountAtItsBandsRate() {
    assertEquals(10_000, Fees.commission(CommissionType.TIERED, 400_000));
    assertEquals(9_000, Fees.commission(CommissionType.TIERED, 600_000));
    assertEquals(60_000, Fees.commission(CommissionType.TIERED, 6_000_000));
  }
}
