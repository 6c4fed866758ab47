package io.dalva.client;

import java.util.List;

/**
 * A page of a metric's values, in step order.
 *
 * @param data the values of this page
 * @param hasMore whether more values follow (ask again with a larger offset)
 * @param attributeType the path's type, {@code null} when the page is empty
 */
public record MetricPage(List<MetricPoint> data, boolean hasMore, String attributeType) {

    public MetricPage {
        data = List.copyOf(data);
    }
}
