"""The Lambda functions of this service: API entry point and retry worker.

In Lambda the cyclic garbage collector is off from here until start-up is
done (`startup.prepare`). Importing the handlers creates about 300,000
long-lived objects, most of them the model SDK's types; each full collection
during those imports walks all that were made so far to find almost no
garbage (under a thousand objects), and on the template's build machine
these collections were a tenth of the cold start.
"""

import gc
import os

if "AWS_LAMBDA_FUNCTION_NAME" in os.environ:
    gc.disable()
