package dev.paystream.pipelines.serve;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The query service's default for an option {@code --name} without a default of its own: the
 * pipelines' default, the value of {@link QueryService.StoreOptions}'s {@code getName()}. One
 * source of truth, so a changed pipeline default changes the service's too.
 */
final class PipelineDefaults implements IDefaultValueProvider {
  private final QueryService.StoreOptions defaults = PipelineOptionsFactory.as(QueryService.StoreOptions.class);

  @Override
  public String defaultValue(ArgSpec argument) throws IllegalAccessException, InvocationTargetException {
    // picocli asks this first for every option: those that set their own default keep it.
    if (!(argument instanceof OptionSpec option) || option.defaultValue() != null || !option.longestName().startsWith("--")) {
      return null;
    }
    String name = option.longestName().substring(2);
    Method getter;
    try {
      getter = QueryService.StoreOptions.class.getMethod("get" + Character.toUpperCase(name.charAt(0)) + name.substring(1));
    } catch (NoSuchMethodException e) {
      return null;
    }
    Object value = getter.invoke(defaults);
    return value == null ? null : value.toString();
  }
}
