package dev.paystream.transforms.analytics;

import dev.paystream.schemas.MerchantTotal;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.testing.CombineFnTester;
import org.apache.beam.sdk.values.KV;
import org.junit.Test;

public class TopMerchantsFnTest {
  @Test
  public void ranksExactTotalsHowEverTheInputIsSplitAndMerged() {
    // The tester shuffles its input, so it must be mutable.
    List<KV<String, Long>> payments =
        Arrays.asList(
            KV.of("m_b", 300L),
            KV.of("m_a", 500L),
            KV.of("m_b", 400L),
            KV.of("m_c", 600L),
            KV.of("m_0", 600L),
            KV.of("m_d", 100L),
            KV.of("m_a", 50L));
    // m_b 700; m_0 and m_c tie at 600, the smaller id first; m_a (550) and m_d miss the top 3.
    CombineFnTester.testCombineFn(
        new TopMerchantsFn(3),
        payments,
        List.of(
            new MerchantTotal("m_b", 2L, 700L),
            new MerchantTotal("m_0", 1L, 600L),
            new MerchantTotal("m_c", 1L, 600L)));
  }
}
