/**
 * What a delete request is: the request as read, its ID rules and the JSON body sent for it. Plain values with no
 * dependency on the rest of the application.
 */
package dev.purge.extracta.request;
